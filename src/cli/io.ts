// What a command may touch: its output streams and environment, so tests run commands in-process.
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Output goes to a terminal: live views redraw in place. */
  tty?: boolean;
}

export const processIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  tty: process.stdout.isTTY,
};
