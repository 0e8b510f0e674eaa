// Support module shipped beside the report launch module.
function describe(label, value) {
  return `${label}: ${value}`;
}

module.exports = { describe };
