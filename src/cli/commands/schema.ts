// `opdbus schema [PLUGIN]`: the JSON Schema of the whole document or of one plugin's section.
import type { Command } from 'commander';
import { documentSchema } from '../../document/schema';
import { builtinRegistry } from '../../plugins';
import { render } from '../output';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the desired-state document, or of one plugin section')
    .argument('[plugin]', 'plugin name')
    .addHelpText('after', '\nExamples:\n  opdbus schema sysctl\n')
    .action((plugin: string | undefined) => {
      const registry = builtinRegistry();
      process.stdout.write(render(plugin ? registry.get(plugin).schema : documentSchema(registry), 'json'));
    });
}
