// Turning anything thrown into the one-line reason a FAILURE carries.

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
