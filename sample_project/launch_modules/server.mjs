// ESM app: express (framework-web), slugify (framework-web-extras), ms (its own).
import { createRequire } from "node:module";
import slugify from "@sindresorhus/slugify";
import express from "express";
import ms from "ms";
import { formatLine } from "./format.mjs";

const require = createRequire(import.meta.url);
const expressVersion = require("express/package.json").version;

const app = express();
app.get("/greet/:name", (req, res) => {
  res.json({ greeting: `hello ${slugify(req.params.name)}` });
});

const server = app.listen(0, "127.0.0.1", async () => {
  const { port } = server.address();
  const response = await fetch(
    `http://127.0.0.1:${port}/greet/${encodeURIComponent("Layered Stacks!")}`,
  );
  const body = await response.json();
  console.log(formatLine("node", process.version));
  console.log(formatLine("express", expressVersion));
  console.log(formatLine("response", body.greeting));
  console.log(formatLine("ms('2 days')", ms("2 days")));
  console.log(formatLine("args", JSON.stringify(process.argv.slice(2))));
  server.close();
});
