/// An RFC 6901 JSON Pointer: `""` is the whole document, `/a/0/b~1c` is the tokens
/// `a`, `0`, `b/c` (`~1` is `/`, `~0` is `~`).
public struct JSONPointer: Sendable, Equatable, Hashable, CustomStringConvertible {
  /// The reference tokens, unescaped.
  public var tokens: [String]

  /// Parses pointer text. Throws unless it is empty or starts with `/`, or if a `~` is not
  /// followed by `0` or `1`.
  public init(_ text: String) throws(JSONError) {
    tokens = []
    if text.isEmpty { return }
    var utf8 = Array(text.utf8)[...]
    guard utf8.first == UInt8(ascii: "/") else {
      throw JSONError(message: "JSON pointer \"\(text)\" does not start with \"/\"", offset: 0)
    }
    utf8 = utf8.dropFirst()
    var token: [UInt8] = []
    var offset = 1
    while true {
      guard let c = utf8.popFirst() else { break }
      switch c {
      case UInt8(ascii: "/"):
        tokens.append(String(decoding: token, as: UTF8.self))
        token.removeAll(keepingCapacity: true)
      case UInt8(ascii: "~"):
        switch utf8.popFirst() {
        case UInt8(ascii: "0"): token.append(UInt8(ascii: "~"))
        case UInt8(ascii: "1"): token.append(UInt8(ascii: "/"))
        default:
          throw JSONError(
            message:
              "JSON pointer \"\(text)\" has an invalid escape (\"~\" must be followed by 0 or 1)",
            offset: offset)
        }
        offset += 1
      default:
        token.append(c)
      }
      offset += 1
    }
    tokens.append(String(decoding: token, as: UTF8.self))
  }

  /// A pointer made of already-unescaped tokens.
  public init(tokens: [String]) { self.tokens = tokens }

  /// The pointer text, tokens escaped.
  public var description: String {
    var text = ""
    for token in tokens {
      text += "/"
      for c in token.unicodeScalars {
        switch c {
        case "~": text += "~0"
        case "/": text += "~1"
        default: text.unicodeScalars.append(c)
        }
      }
    }
    return text
  }

  /// The pointer to the parent (nil for the whole document).
  public var parent: JSONPointer? {
    tokens.isEmpty ? nil : JSONPointer(tokens: Array(tokens.dropLast()))
  }

  /// This pointer with one more token.
  public func appending(_ token: String) -> JSONPointer {
    JSONPointer(tokens: tokens + [token])
  }

  /// The array index a token denotes: `0` or digits without a leading zero; nil otherwise
  /// (including `-`).
  public static func arrayIndex(_ token: String) -> Int? {
    let utf8 = token.utf8
    guard let first = utf8.first, utf8.count <= 18 else { return nil }
    if first == UInt8(ascii: "0") { return utf8.count == 1 ? 0 : nil }
    var v = 0
    for c in utf8 {
      guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { return nil }
      v = v * 10 + Int(c - UInt8(ascii: "0"))
    }
    return v
  }
}
