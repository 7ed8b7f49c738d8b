// The `faultc` command: dispatches to one module per subcommand.
export async function main(argv: string[]): Promise<number> {
  process.stderr.write(`faultc: not yet implemented: ${argv.join(" ")}\n`);
  return 2;
}
