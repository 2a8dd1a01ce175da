// ANSI colour for the cluster's labelled output: on a terminal only, and never when NO_COLOR is
// set to a non-empty value (https://no-color.org). Piped output stays plain text.

/** SGR codes of the colours used. */
export const COLOURS = {
  bold: '1',
  red: '31',
  green: '32',
} as const;

/** One colour per peer label, in the order the peers are named; they repeat past ten peers. */
const PEER_PALETTE = ['36', '33', '35', '32', '34', '96', '93', '95', '92', '94'] as const;

/** True when output to `stream` may be coloured. */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** A painter: wraps text in an SGR code when colour is on, returns it unchanged otherwise. */
export type Paint = (code: string, text: string) => string;

export function painter(enabled: boolean): Paint {
  return enabled ? (code, text) => `\x1b[${code}m${text}\x1b[0m` : (_code, text) => text;
}

/** The SGR code of the i-th peer's label. */
export function peerColour(index: number): string {
  return PEER_PALETTE[index % PEER_PALETTE.length]!;
}
