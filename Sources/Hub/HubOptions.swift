/// Settings of the OCM hub controllers. The defaults are OCM v1.0.0's; tests shorten the
/// timings.
public struct HubOptions: Sendable {
  /// `ManagedClusterAutoApproval`: accept every new cluster once (`itsd serve --auto-accept`).
  public var autoAccept = false
  /// Delay between looks at a deleting cluster whose namespace still holds works or add-ons
  /// (OCM: 5 s; deletions of those objects also wake the controllers at once).
  public var cleanupRequeue: Duration = .seconds(5)
  /// Grace = this × `leaseDurationSeconds` (OCM: 5).
  public var leaseDurationTimes: Int64 = OCM.leaseDurationTimes
  /// Reconcile failures are logged here (nil: silent).
  public var log: (@Sendable (String) -> Void)?

  public init(
    autoAccept: Bool = false, cleanupRequeue: Duration = .seconds(5),
    log: (@Sendable (String) -> Void)? = nil
  ) {
    self.autoAccept = autoAccept
    self.cleanupRequeue = cleanupRequeue
    self.log = log
  }
}
