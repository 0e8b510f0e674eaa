// CommonJS app on two frameworks: express from framework-web, esbuild from framework-tools.
const esbuild = require("esbuild");
const expressVersion = require("express/package.json").version;
const semver = require("semver");
const { describe } = require("./describe.cjs");

const source = "const answer: number = 6 * 7; console.log(answer);";
const { code } = esbuild.transformSync(source, { loader: "ts", minify: true });

console.log(describe("node", process.version));
console.log(describe("express", expressVersion));
console.log(describe("esbuild", esbuild.version));
console.log(describe("transpiled", code.trim()));
console.log(describe("semver ok", semver.satisfies(process.versions.node, "^22")));
