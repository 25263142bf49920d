/// What `GET /version` reports, in kube-apiserver's `version.Info` shape. kubectl's dispatcher
/// picks the kubectl binary from `minor`, so this server speaks as Kubernetes 1.32.
public struct VersionInfo: Sendable {
  public static let major = "1"
  public static let minor = "32"
  /// The release of its-server itself.
  public static let serverRelease = "0.1.0"
  public static let gitVersion = "v1.32.0-its.\(serverRelease)"

  public static var platform: String {
    #if arch(x86_64)
      let arch = "amd64"
    #elseif arch(arm64)
      let arch = "arm64"
    #else
      let arch = "unknown"
    #endif
    #if os(Linux)
      return "linux/\(arch)"
    #else
      return "darwin/\(arch)"
    #endif
  }

  /// The JSON body, built once (members in kube-apiserver's order).
  public static let json: [UInt8] = {
    let fields: [(String, String)] = [
      ("major", major),
      ("minor", minor),
      ("gitVersion", gitVersion),
      ("gitCommit", "unknown"),
      ("gitTreeState", "unknown"),
      ("buildDate", "1970-01-01T00:00:00Z"),
      ("goVersion", "n/a (its-server is written in Swift)"),
      ("compiler", "swiftc"),
      ("platform", platform),
    ]
    let members = fields.map { "  \"\($0.0)\": \"\($0.1)\"" }.joined(separator: ",\n")
    return Array("{\n\(members)\n}".utf8)
  }()
}
