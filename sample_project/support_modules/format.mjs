// Support module shipped beside the server launch module.
export function formatLine(label, value) {
  return `${label.padEnd(18)} ${value}`;
}
