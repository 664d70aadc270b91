/** A development server could not be had; the message says what to do, as it will be printed. */
export class DevServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DevServerError";
  }
}
