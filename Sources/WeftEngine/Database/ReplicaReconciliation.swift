import WeftCore

/// The one rule by which replicas settle what they disagree on, used by replica sync and by
/// repair on read alike: the newer version wins (update times; of two versions of the same time,
/// the one with the higher content digest, so every replica picks the same), and a
/// deletion against a live object is settled by the collection's `deletionStrategy`:
/// TimeBasedResolution (the default, as Weaviate's since 1.36) lets whichever is newer win,
/// DeleteOnConflict lets the deletion win, NoAutomatedResolution leaves the conflict alone.
public enum ReplicaReconciliation {
    /// What a replica takes from another's entries.
    public struct Plan: Sendable, Equatable {
        /// Versions to copy from the other replica (newer than what is here).
        public var copy: [ObjectID] = []
        /// Deletions to apply here, with their times.
        public var delete: [ReplicaEntry] = []
    }

    /// What this replica, holding `local`, takes from `remote` entries of another replica.
    /// Tombstones of deletions made before `oldestDeletion` have expired here: they are not
    /// taken back from a replica that has not expired them yet.
    public static func plan(local: [ObjectID: ReplicaEntry], remote: [ReplicaEntry], strategy: String, oldestDeletion: Int64 = .min) -> Plan {
        var plan = Plan()
        for entry in remote where !(entry.deleted && entry.time < oldestDeletion) && wins(entry, over: local[entry.id], strategy: strategy) {
            if entry.deleted { plan.delete.append(entry) } else { plan.copy.append(entry.id) }
        }
        return plan
    }

    /// Whether `entry` replaces `held` (nil: nothing here) under `strategy`.
    public static func wins(_ entry: ReplicaEntry, over held: ReplicaEntry?, strategy: String) -> Bool {
        guard let held else { return true }
        switch (entry.deleted, held.deleted) {
        case (false, false):
            // Two versions of the same time: the higher content digest, the same on every replica.
            return entry.time > held.time || (entry.time == held.time && entry.digest > held.digest)
        case (true, true):
            return entry.time > held.time
        case (true, false):
            // A deletion against a live object.
            return strategy == "DeleteOnConflict" || (strategy == "TimeBasedResolution" && entry.time > held.time)
        case (false, true):
            // A version against a deletion: only newer, and only where time decides.
            return strategy == "TimeBasedResolution" && entry.time > held.time
        }
    }

    /// The entry every replica should end with, of the `entries` replicas hold of one object
    /// (nil: none holds anything), and whether a deletion conflict was left unresolved
    /// (NoAutomatedResolution).
    public static func winner(of entries: [ReplicaEntry], strategy: String) -> (entry: ReplicaEntry?, unresolved: Bool) {
        let unresolved = entries.contains { $0.deleted } && entries.contains { !$0.deleted } && strategy == "NoAutomatedResolution"
        // Left unresolved, the newest live version is what a read sees.
        let candidates = unresolved ? entries.filter { !$0.deleted } : entries
        var best: ReplicaEntry? = nil
        for entry in candidates where wins(entry, over: best, strategy: strategy) { best = entry }
        return (best, unresolved)
    }
}
