/// Kubernetes `Status` bodies for errors the HTTP layer answers itself (before any API code
/// runs), so every client sees the same error shape kube-apiserver uses.
public enum StatusBody {
  /// `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":…,"reason":…,"details":{},"code":…}`
  public static func failure(code: Int, reason: String, message: String) -> [UInt8] {
    var s = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
    s += "\"message\":\(quoted(message)),\"reason\":\(quoted(reason)),"
    s += "\"details\":{},\"code\":\(code)}\n"
    return Array(s.utf8)
  }

  /// The Kubernetes reason for an HTTP-layer status code.
  public static func reason(for code: Int) -> String {
    switch code {
    case 400: return "BadRequest"
    case 404: return "NotFound"
    case 405: return "MethodNotAllowed"
    case 408: return "Timeout"
    case 413: return "RequestEntityTooLarge"
    case 431: return "RequestHeaderFieldsTooLarge"
    case 501: return "NotImplemented"
    case 503: return "ServiceUnavailable"
    case 505: return "HTTPVersionNotSupported"
    default: return code >= 500 ? "InternalError" : "BadRequest"
    }
  }

  /// A JSON string literal (escapes quotes, backslashes and control characters).
  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
