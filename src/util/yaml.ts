// The `yaml` package, loaded on first use. A short-lived CLI run spends ~25 ms resolving and loading
// its ~80 modules; scripts/bundle-yaml.js (part of `npm run build:ts`) bundles the same code into
// dist/vendor/yaml.js, which loads in ~8 ms. Without the bundle (a tree built by tsc alone) the
// package itself is used.
import * as fs from 'node:fs';
import * as path from 'node:path';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;

const BUNDLE = path.join(__dirname, '..', '..', 'vendor', 'yaml.js');

export function yaml(): Yaml {
  return (loaded ??= (fs.existsSync(BUNDLE) ? require(BUNDLE) : require('yaml')) as Yaml);
}
