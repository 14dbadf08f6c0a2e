import Foundation
import GRPCCore
import WeftCore
import WeftEngine
import WeftGRPCProtos
import WeftSearch

/// `Weaviate/BatchObjects` and `Weaviate/BatchDelete`. A bad object never fails the call: it is
/// reported by its index in the request and the others are written.
struct GRPCBatch {
    let database: Database

    func batchObjects(_ proto: Weaviate_V1_BatchObjectsRequest) -> Weaviate_V1_BatchObjectsReply {
        let started = DispatchTime.now()
        var inputs: [ObjectInput] = []
        var positions: [Int] = []
        var errors: [Weaviate_V1_BatchObjectsReply.BatchError] = []
        for (index, object) in proto.objects.enumerated() {
            switch Result(catching: { () throws(WeftError) -> ObjectInput in try input(object) }) {
            case .success(let input):
                inputs.append(input)
                positions.append(index)
            case .failure(let error):
                errors.append(Self.error(index, error.message))
            }
        }
        for (position, result) in zip(positions, database.batchWrite(inputs)) {
            if case .failure(let error) = result { errors.append(Self.error(position, error.message)) }
        }
        var reply = Weaviate_V1_BatchObjectsReply()
        reply.errors = errors.sorted { $0.index < $1.index }
        reply.took = Float(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        return reply
    }

    private static func error(_ index: Int, _ message: String) -> Weaviate_V1_BatchObjectsReply.BatchError {
        var error = Weaviate_V1_BatchObjectsReply.BatchError()
        error.index = Int32(index)
        error.error = message
        return error
    }

    private func input(_ object: Weaviate_V1_BatchObject) throws(WeftError) -> ObjectInput {
        var input = ObjectInput(className: object.collection)
        if !object.uuid.isEmpty {
            guard let id = ObjectID(object.uuid) else { throw .unprocessable("invalid uuid '\(object.uuid)'") }
            input.id = id
        }
        input.tenant = object.tenant.isEmpty ? nil : object.tenant
        if object.hasProperties {
            let properties = object.properties
            input.properties = try GRPCValues.json(
                structFields: properties.hasNonRefProperties ? properties.nonRefProperties : nil, numbers: properties.numberArrayProperties,
                ints: properties.intArrayProperties, texts: properties.textArrayProperties, bools: properties.booleanArrayProperties,
                objects: properties.objectProperties, objectArrays: properties.objectArrayProperties, emptyLists: properties.emptyListProps)
            // References as beacons (a single-target property's class is filled in by validation).
            for reference in properties.singleTargetRefProps {
                input.properties[reference.propName] = .array(reference.uuids.map { ["beacon": .string("weaviate://localhost/\($0)")] })
            }
            for reference in properties.multiTargetRefProps {
                input.properties[reference.propName] = .array(reference.uuids.map {
                    ["beacon": .string("weaviate://localhost/\(reference.targetCollection)/\($0)")]
                })
            }
        }
        if !object.vectorBytes.isEmpty {
            input.vector = try GRPCValues.floats(object.vectorBytes)
        } else if !object.vector.isEmpty {
            input.vector = object.vector
        }
        for named in object.vectors {
            guard named.type != .multiFp32 else { throw .unprocessable("multi-vectors (MULTI_FP32) are not supported yet") }
            let vector = try GRPCValues.floats(named.vectorBytes)
            if named.name.isEmpty { input.vector = vector } else { input.vectors[named.name] = vector }
        }
        return input
    }

    func batchDelete(_ proto: Weaviate_V1_BatchDeleteRequest) throws(RPCError) -> Weaviate_V1_BatchDeleteReply {
        let started = DispatchTime.now()
        guard proto.hasFilters else { throw GRPCErrors.invalid("batch delete needs filters") }
        let filter = try GRPCFilters.filter(proto.filters)
        let result = try GRPCErrors.mapping { () throws(WeftError) -> BatchDeleteResult in
            try database.batchDelete(collection: proto.collection, filter: filter, dryRun: proto.dryRun, tenant: proto.hasTenant ? proto.tenant : nil)
        }
        var reply = Weaviate_V1_BatchDeleteReply()
        reply.matches = Int64(result.matches)
        reply.successful = Int64(result.successful)
        reply.failed = Int64(result.failed)
        if proto.verbose {
            reply.objects = result.objects.map { item in
                var object = Weaviate_V1_BatchDeleteObject()
                object.uuid = Data(item.id.bytes)
                object.successful = item.status != .failed
                if let error = item.error { object.error = error }
                return object
            }
        }
        reply.took = Float(Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9)
        return reply
    }
}
