// drizzle-kit configuration: `npm run db:generate -w packages/db` diffs src/schema against the
// last snapshot in migrations/ and writes the next SQL migration (then embeds it, see scripts/).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/index.ts',
  out: './migrations',
  strict: true,
  verbose: false,
});
