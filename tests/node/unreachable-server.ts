// A loopback port that is ours and never answers: every connection is
// closed at once, so a client fails the way it does against a service that
// is down. Tests use it instead of assuming some well-known port (like 9,
// "discard") has nothing listening on this machine.
import { createServer, type Socket } from "node:net";

export async function startUnreachableServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
