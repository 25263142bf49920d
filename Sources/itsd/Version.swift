import APIServer
import ArgumentParser
import COpenSSL
import CZlib

/// `itsd version`: the server release, the Kubernetes version it speaks, and its libraries.
struct Version: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Print version information.")

  func run() {
    let openssl = String(cString: OpenSSL_version(Int32(OPENSSL_VERSION)))
    let zlib = String(cString: zlibVersion())
    print("itsd \(VersionInfo.serverRelease)")
    print("Kubernetes API: \(VersionInfo.gitVersion) (\(VersionInfo.platform))")
    print("TLS: \(openssl); gzip: zlib \(zlib)")
  }
}
