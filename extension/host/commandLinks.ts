// Command URIs for links in hovers and views, and the list of commands a
// trusted markdown string may run.
export const LINK_COMMANDS = ['dmRaceLens.stepThrough', 'dmRaceLens.showGraph', 'dmRaceLens.openPatch', 'dmRaceLens.revealEvent'];

export function commandLink(command: string, ...args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}
