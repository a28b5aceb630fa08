// One factory for construct validation errors, so every message names the construct, the prop,
// what it got and what it accepts.

export class InvalidPropError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidPropError";
  }
}

export function invalidProp(construct: string, prop: string, value: unknown, allowed: string): InvalidPropError {
  return new InvalidPropError(`${construct}: invalid prop ${prop}: expected ${allowed}, got ${JSON.stringify(value)}`);
}
