import APIMachinery
import APIServer
import Foundation
import Hub

/// Authentication and authorization for `itsd serve`: seeds the bootstrap RBAC policy, installs
/// the RBAC authorizer (always; in development mode every request is `system:masters`, which
/// RBAC allows), and builds the authenticator when authentication is on (TLS or
/// `--token-auth-file`, see `Settings.authenticationEnabled`).
struct AccessControl {
  let rbac: RBACAuthorizer
  /// nil when authentication is off.
  let authenticator: RequestAuthenticator?

  static func start(_ settings: Settings, registry: Registry) throws -> AccessControl {
    var tokens: StaticTokenFile?
    if !settings.tokenAuthFile.isEmpty {
      let text: String
      do {
        text = try String(contentsOfFile: settings.tokenAuthFile, encoding: .utf8)
      } catch {
        throw StartupError("cannot read token-auth-file \(settings.tokenAuthFile): \(error)")
      }
      do {
        tokens = try StaticTokenFile(text: text, path: settings.tokenAuthFile)
      } catch {
        throw StartupError(error.description)
      }
    }
    try RBACBootstrapPolicy.seed(registry)
    let rbac = RBACAuthorizer(registry: registry)
    rbac.start()
    registry.authorizer.install(rbac)
    let authenticator =
      settings.authenticationEnabled
      ? RequestAuthenticator(registry: registry, enabled: true, staticTokens: tokens) : nil
    return AccessControl(rbac: rbac, authenticator: authenticator)
  }

  func stop() { rbac.stop() }
}
