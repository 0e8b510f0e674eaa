// An app with no framework: semver comes from the node-22 runtime layer.
import semver from "semver";

const [name = "world"] = process.argv.slice(2);
console.log(`hello ${name} from node ${process.version}`);
console.log(`semver.inc('1.2.3', 'minor') = ${semver.inc("1.2.3", "minor")}`);
process.exitCode = name === "fail" ? 3 : 0;
