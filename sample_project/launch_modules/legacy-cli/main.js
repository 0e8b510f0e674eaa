// Directory launch module (CommonJS) on the Node 20 runtime.
const kleur = require("kleur");
const _ = require("lodash");

kleur.enabled = false;
const totals = _.sumBy([{ n: 4 }, { n: 38 }], "n");
console.log(kleur.green(`node ${process.version}`));
console.log(`lodash ${_.VERSION}: sum = ${totals}`);
console.log(`chunks: ${JSON.stringify(_.chunk(["a", "b", "c", "d", "e"], 2))}`);
