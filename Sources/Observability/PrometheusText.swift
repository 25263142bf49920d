/// Prometheus text exposition format 0.0.4: the content type, escaping and number formatting.
/// Pure functions over byte buffers (no Foundation), used when a scrape renders the registry.
public enum PrometheusText {
  /// The `Content-Type` of a scrape response.
  public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

  /// Appends `# HELP` and `# TYPE` lines. Help text escapes `\` and line feeds.
  static func appendHeader(
    name: String, help: String, type: MetricType, to out: inout [UInt8]
  ) {
    out.append(contentsOf: "# HELP ".utf8)
    out.append(contentsOf: name.utf8)
    out.append(0x20)
    for b in help.utf8 {
      switch b {
      case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
      case 0x0A: out.append(contentsOf: "\\n".utf8)
      default: out.append(b)
      }
    }
    out.append(0x0A)
    out.append(contentsOf: "# TYPE ".utf8)
    out.append(contentsOf: name.utf8)
    out.append(0x20)
    out.append(contentsOf: type.rawValue.utf8)
    out.append(0x0A)
  }

  /// Appends one sample line: `name{label="value",...} value`.
  static func appendSample(
    name: String, suffix: String, labels: [(String, String)], value: Double,
    to out: inout [UInt8]
  ) {
    out.append(contentsOf: name.utf8)
    out.append(contentsOf: suffix.utf8)
    if !labels.isEmpty {
      out.append(UInt8(ascii: "{"))
      for (i, (label, labelValue)) in labels.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out.append(contentsOf: label.utf8)
        out.append(contentsOf: "=\"".utf8)
        appendEscapedLabelValue(labelValue, to: &out)
        out.append(UInt8(ascii: "\""))
      }
      out.append(UInt8(ascii: "}"))
    }
    out.append(0x20)
    out.append(contentsOf: format(value).utf8)
    out.append(0x0A)
  }

  /// Label values escape `\`, `"` and line feeds.
  static func appendEscapedLabelValue(_ value: String, to out: inout [UInt8]) {
    for b in value.utf8 {
      switch b {
      case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
      case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
      case 0x0A: out.append(contentsOf: "\\n".utf8)
      default: out.append(b)
      }
    }
  }

  /// A sample value as Go's `strconv.FormatFloat(v, 'g', -1, 64)` would print it for the values
  /// that occur here: whole numbers without a fraction, `+Inf`, `-Inf`, `NaN`, otherwise the
  /// shortest round-tripping decimal.
  public static func format(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return value.description
  }

  /// Whether `name` is a valid metric or label name (`[a-zA-Z_:][a-zA-Z0-9_:]*`; labels
  /// additionally may not contain `:`, which callers here never use).
  public static func isValidName(_ name: String) -> Bool {
    guard let first = name.utf8.first else { return false }
    func letter(_ b: UInt8) -> Bool {
      (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_")
        || b == UInt8(ascii: ":")
    }
    guard letter(first) else { return false }
    return name.utf8.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
  }
}
