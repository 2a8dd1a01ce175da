// The one error class of the transport, with string codes (as in dht-rpc): callers switch on code.

export type TransportErrorCode =
  /** No answer within the retry budget. */
  | 'ETIMEDOUT'
  /** The endpoint was closed while the request was pending. */
  | 'ECLOSED'
  /** The message would exceed the datagram size limit. */
  | 'ETOOBIG'
  /** The layer above withdrew the request (its operation was abandoned). */
  | 'ECANCELED';

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}
