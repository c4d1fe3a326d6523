import Vapor

extension Application {
    private struct NationalBridgeKey: StorageKey { typealias Value = Bool }

    /// Whether complaints can be forwarded to the national system (SP4N-LAPOR!): kept by the bridge's configuration
    /// (`laporSettings`, `laporBridge` in Integrations/Lapor), read by the write path for the lifecycle's context.
    var nationalBridgeConfigured: Bool {
        get { storage[NationalBridgeKey.self] ?? false }
        set { storage[NationalBridgeKey.self] = newValue }
    }
}
