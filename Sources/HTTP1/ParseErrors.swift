// The errors the parser throws, in one place so statuses and messages stay consistent.

extension HTTPParseError {
  static func badRequest(_ message: String) -> HTTPParseError {
    HTTPParseError(status: 400, message: message)
  }
  static let bareLF = badRequest("bare LF in request head (lines must end with CRLF)")
  static let bareCR = badRequest("bare CR in request")
  static let controlByte = badRequest("control character in request")
  static let headTooLarge = HTTPParseError(
    status: 431, message: "request head exceeds the size limit")
  static let tooManyHeaders = HTTPParseError(status: 431, message: "too many header fields")
  /// kube-apiserver's wording for a body over `MaxRequestBodyBytes`.
  static func bodyTooLarge(limit: Int) -> HTTPParseError {
    HTTPParseError(status: 413, message: "Request entity too large: limit is \(limit)")
  }
  static let versionNotSupported = HTTPParseError(
    status: 505, message: "HTTP version not supported")
  static let codingNotImplemented = HTTPParseError(
    status: 501, message: "unsupported transfer coding")
}
