// `decnet archetype` and `decnet distro`: the deployable catalog as a table or JSON. One module,
// two verbs (verbs.ts picks the export); `decnet service catalog` prints the third list.
import { archetypeCatalog, distroCatalog, type CatalogView } from '../catalog-views.js';
import { parseCommandArgs, renderJson, type CommandIO, type CommandModule } from '../io.js';

function listing(verb: string, description: string, view: CatalogView): CommandModule & { help(): string } {
  return {
    help: () => `Usage: decnet ${verb} [--json]\n\n${description}\n`,
    async run(args: string[], io: CommandIO): Promise<number> {
      const { values } = parseCommandArgs(verb, args, { json: { type: 'boolean', default: false } }, false);
      io.stdout(values.json ? renderJson(view.json()) : view.table());
      return 0;
    },
  };
}

/** `decnet archetype`: machine roles and what they imply. */
export const archetypes = listing(
  'archetype',
  'Lists the archetypes (machine roles) usable with decnet deploy --archetype: their services,\npreferred distros and OS fingerprint.',
  archetypeCatalog,
);

/** `decnet distro`: base images and hostname styles. */
export const distros = listing(
  'distro',
  'Lists the base distributions usable with decnet deploy --distro: image, hostname style and\nthe image service containers build on.',
  distroCatalog,
);
