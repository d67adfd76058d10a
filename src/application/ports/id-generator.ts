export interface IdGenerator {
  /** A new lower-case UUID. */
  newId(): string;
}
