// Literal Strings for the request methods and field names most requests carry.

/// Maps the bytes of a method or field name to a string literal when they spell a common one
/// exactly (case included, so names keep the client's spelling): no UTF-8 validation pass, no
/// allocation, and literals are immortal, so copies of them cost no reference counting. Any
/// other spelling is decoded as before.
enum KnownTokens {
  static func method(_ b: UnsafeBufferPointer<UInt8>) -> String {
    switch b.count {
    case 3:
      if spells(b, "GET") { return "GET" }
      if spells(b, "PUT") { return "PUT" }
    case 4:
      if spells(b, "POST") { return "POST" }
      if spells(b, "HEAD") { return "HEAD" }
    case 5:
      if spells(b, "PATCH") { return "PATCH" }
    case 6:
      if spells(b, "DELETE") { return "DELETE" }
    default:
      break
    }
    return stringFromBytes(b)
  }

  static func fieldName(_ b: UnsafeBufferPointer<UInt8>) -> String {
    switch b.count {
    case 4:
      if spells(b, "Host") { return "Host" }
    case 6:
      if spells(b, "Accept") { return "Accept" }
    case 10:
      if spells(b, "User-Agent") { return "User-Agent" }
      if spells(b, "Connection") { return "Connection" }
    case 12:
      if spells(b, "Content-Type") { return "Content-Type" }
    case 13:
      if spells(b, "Authorization") { return "Authorization" }
    case 14:
      if spells(b, "Content-Length") { return "Content-Length" }
    case 15:
      if spells(b, "Accept-Encoding") { return "Accept-Encoding" }
    default:
      break
    }
    return stringFromBytes(b)
  }

  /// Whether `b` holds exactly the bytes of `literal` (the caller checked the length).
  @inline(__always)
  private static func spells(_ b: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
    let l = literal.utf8Start
    for i in 0..<b.count where b[i] != l[i] { return false }
    return true
  }
}
