/** Test support shared by the suites that start a server of their own (code-server, redis-server). */
import { createServer, type AddressInfo } from "node:net";

/** A free TCP port on 127.0.0.1 (the OS picks it; closed again before the caller's server binds it). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
