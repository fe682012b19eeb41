// The benchmark peer: a minimal Node server that verifies GitHub webhooks with npm
// @octokit/webhooks (signature check + JSON parse) and answers 202. No recording.
//
// usage: WEBHOOK_SECRET=... node octokit-server.mjs [--port 0]
// Prints "listening <port>" on stdout once it accepts connections.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Webhooks } from "@octokit/webhooks";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });
const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error("octokit-server: set WEBHOOK_SECRET");
  process.exit(2);
}
const webhooks = new Webhooks({ secret });

const server = createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/webhooks/github") {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      await webhooks.verifyAndReceive({
        id: req.headers["x-github-delivery"],
        name: req.headers["x-github-event"],
        signature: req.headers["x-hub-signature-256"],
        payload: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(202, { "content-type": "text/plain" }).end("accepted\n");
    } catch (err) {
      res.writeHead(err.status || 401, { "content-type": "text/plain" }).end("rejected\n");
    }
  });
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
