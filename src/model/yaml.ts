/**
 * The `yaml` package, loaded on first use: only YAML config files and OpenAPI import/export need
 * it, and loading it at start-up cost ~35 ms of every server's start.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');
let loaded: Yaml | undefined;

/** The yaml module (synchronously required on first call). */
export function yaml(): Yaml {
  return (loaded ??= createRequire(import.meta.url)('yaml') as Yaml);
}
