// Regenerates src/schema/compose-validator.generated.ts from src/schema/compose-spec.json.
// Run after changing or replacing the schema: npx tsx packages/topology/scripts/generate-compose-validator.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { buildComposeValidatorSource } from '../src/schema/build-validator.js';

const dir = new URL('../src/schema/', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('compose-spec.json', dir), 'utf8')) as object;
writeFileSync(new URL('compose-validator.generated.ts', dir), buildComposeValidatorSource(schema));
process.stdout.write('wrote src/schema/compose-validator.generated.ts\n');
