// The dashboard's server: Next.js for pages, and /api (HTTP and WebSocket upgrades) proxied
// to the gateway, so the browser sees one origin and the session cookies, the CSRF cookie and
// the WebSocket's Origin check work as they do behind nginx in production.
//
//   node server.mjs [--dev]
//   HOST (127.0.0.1), PORT (3000), WALLETSCAN_API_URL (http://127.0.0.1:8000)
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import httpProxy from "http-proxy";
import next from "next";

const dev = process.argv.includes("--dev");
const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);
const gateway = process.env.WALLETSCAN_API_URL ?? "http://127.0.0.1:8000";
const dir = path.dirname(fileURLToPath(import.meta.url));

process.env.NEXT_TELEMETRY_DISABLED = "1";

const app = next({ dev, dir, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

// xfwd adds X-Forwarded-For/-Proto/-Host; the Host and Origin headers pass unchanged so the
// gateway checks the browser's real origin on the WebSocket.
const proxy = httpProxy.createProxyServer({ target: gateway, xfwd: true, ws: true, proxyTimeout: 120_000 });

proxy.on("error", (error, req, target) => {
  console.error(`proxy ${req.method} ${req.url}: ${error.message}`);
  if (target instanceof http.ServerResponse) {
    if (!target.headersSent) {
      target.writeHead(502, { "content-type": "application/json" });
    }
    target.end(JSON.stringify({ detail: "the API is unreachable; is the gateway running?" }));
  } else {
    target.destroy();
  }
});

const isApi = (url = "") => url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");

const server = http.createServer((req, res) => {
  if (isApi(req.url)) {
    proxy.web(req, res);
    return;
  }
  handle(req, res);
});

const nextUpgrade = typeof app.getUpgradeHandler === "function" ? app.getUpgradeHandler() : null;
server.on("upgrade", (req, socket, head) => {
  if (isApi(req.url)) {
    proxy.ws(req, socket, head);
  } else if (nextUpgrade) {
    nextUpgrade(req, socket, head); // hot reload in --dev
  } else {
    socket.destroy();
  }
});

server.listen(port, host, () => {
  console.log(`walletscan dashboard on http://${host}:${port} (API: ${gateway})`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    proxy.close();
    process.exit(0);
  });
}
