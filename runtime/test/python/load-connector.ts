/** Loading a Python connector by its external:// URL as LMCache does, for the Python-lane tests. */
import { join } from "node:path";
import { createEngineConfig } from "../../src/config/engine-config";
import { createConnector } from "../../src/connector/create-connector";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { conformanceMetadata } from "../../src/conformance/env";

/** The Python fixtures, and the folder of the loading-step ones. */
export const FIXTURES = join(__dirname, "..", "fixtures", "python");
export const LOADING = join(FIXTURES, "loading");

/** Opens `<module>.<cls>` from `cwd` through `external://host:0/<module>/?connector_name=<cls>`. */
export async function load(module: string, cls: string, cwd: string) {
  // a 64 MiB arena, as the conformance cases use: small enough for the shared-pages transport
  const config = createEngineConfig({ maxLocalCpuSize: 1 / 16 });
  const backend = new LocalCPUBackend({ config, metadata: conformanceMetadata() });
  return createConnector(`external://host:0/${module}/?connector_name=${cls}`, { localCpuBackend: backend, config, metadata: conformanceMetadata(), cwd });
}

/** The error loading `<module>.<cls>` fails with; fails the test when it loads. */
export async function loadError(module: string, cls: string, cwd = LOADING): Promise<Error> {
  try {
    await load(module, cls, cwd);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${module}.${cls} loaded`);
}
