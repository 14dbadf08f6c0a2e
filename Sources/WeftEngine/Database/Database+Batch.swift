import Dispatch
import Glibc
import Synchronization
import WeftCore

/// Batch import (REST `POST /v1/batch/objects`, gRPC `BatchObjects`): every object is an upsert,
/// validated and written on its own, so one bad object fails alone and is reported by its index.
/// Objects are spread over the cores; each write is one atomic batch in its shard.
extension Database {
    public func batchWrite(_ inputs: [ObjectInput]) -> [Result<ObjectView, WeftError>] {
        let results = Mutex<[Result<ObjectView, WeftError>?]>(Array(repeating: nil, count: inputs.count))
        let workers = max(1, min(inputs.count, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < inputs.count {
                let result = Result { () throws(WeftError) -> ObjectView in try writeObject(inputs[index], kind: .upsert) }
                results.withLock { $0[index] = result }
                index += workers
            }
        }
        return results.withLock { $0.map { $0! } }
    }
}
