/// A JSON syntax, limit or JSON Pointer error.
///
/// `message` reads like Go's `encoding/json` (e.g. `invalid character '}' after array element`,
/// `unexpected end of JSON input`); `offset` is the 0-based byte index where the problem was
/// found (Go's `SyntaxError.Offset` counts the offending byte too, so it is ours plus one).
/// For JSON Pointer errors `offset` is the index into the pointer's tokens (or text).
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public var offset: Int

  public init(message: String, offset: Int) {
    self.message = message
    self.offset = offset
  }

  public var description: String { message }
}
