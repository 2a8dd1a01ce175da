// Turning anything thrown into the one-line reason a FAILURE carries.

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Why a distribution stopped when the manager reset its DHT (dht-reset) meanwhile. */
export const RESET_DURING_DISTRIBUTION = 'the DHT was reset during the distribution';
