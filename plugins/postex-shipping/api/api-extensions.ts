import gql from 'graphql-tag';

export const shopApiExtensions = gql`
    "A Postex province (synced from Postex), for address pickers."
    type PostexProvince {
        code: Int!
        name: String!
    }

    "A Postex city; use its name as the address's city and the province's name as the address's province."
    type PostexCity {
        code: Int!
        name: String!
        provinceCode: Int!
    }

    extend type Query {
        postexProvinces: [PostexProvince!]!
        postexCities(provinceCode: Int): [PostexCity!]!
    }
`;

export const adminApiExtensions = gql`
    type PostexProvince {
        code: Int!
        name: String!
    }

    type PostexCity {
        code: Int!
        name: String!
        provinceCode: Int!
    }

    type PostexSyncResult {
        provinces: Int!
        cities: Int!
    }

    type PostexTrackingPollResult {
        checked: Int!
        shipped: Int!
        delivered: Int!
        returned: Int!
    }

    extend type Query {
        postexProvinces: [PostexProvince!]!
        postexCities(provinceCode: Int): [PostexCity!]!
    }

    "A link to a parcel's label PDF that works without a session, for a few minutes (labelLinkTtlSeconds)."
    type PostexLabelLink {
        "Path on this server: /postex/label/<fulfillmentId>?expires=<unix seconds>&signature=<HMAC>"
        url: String!
        expiresAt: DateTime!
    }

    "The fulfillment has no Postex parcel (yet), so no label."
    type PostexLabelNotAvailableError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
    }

    union PostexLabelLinkResult = PostexLabelLink | PostexLabelNotAvailableError

    "Where the creation of a parcel stands: QUEUED or RETRYING (a job is on it), FAILED (its job gave up), NO_JOB."
    enum PostexParcelCreationStatus {
        QUEUED
        RETRYING
        FAILED
        NO_JOB
    }

    "A Postex fulfillment whose parcel does not exist yet."
    type PostexPendingParcelCreation {
        fulfillmentId: ID!
        orderId: ID!
        orderCode: String!
        createdAt: DateTime!
        status: PostexParcelCreationStatus!
        "The latest creation job's error."
        error: String
        attempts: Int!
    }

    "A parcel created at Postex and not picked up yet: its label is to be printed and stuck on the box."
    type PostexLabelToPrint {
        fulfillmentId: ID!
        orderId: ID!
        orderCode: String!
        parcelNo: String!
        trackingCode: String
        createdAt: DateTime!
    }

    "A delivered cash-on-delivery parcel whose payment is still Authorized (settle it once Postex pays the money)."
    type PostexUnsettledCodDelivery {
        fulfillmentId: ID!
        orderId: ID!
        orderCode: String!
        parcelNo: String
        paymentId: ID!
        amount: Money!
        deliveredAt: DateTime!
    }

    "The Postex parcels of the active channel staff must look at (each list oldest first, at most 200)."
    type PostexParcelsNeedingAttention {
        creations: [PostexPendingParcelCreation!]!
        labelsToPrint: [PostexLabelToPrint!]!
        codUnsettled: [PostexUnsettledCodDelivery!]!
    }

    type PostexParcelCreationQueued {
        fulfillmentId: ID!
    }

    enum PostexParcelNotRetriableReason {
        NOT_FOUND
        NOT_PENDING
        HAS_PARCEL
        ALREADY_QUEUED
    }

    "retryPostexParcelCreation on a fulfillment that has its parcel, is not Pending, or whose creation is under way."
    type PostexParcelNotRetriableError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        reason: PostexParcelNotRetriableReason!
    }

    union RetryPostexParcelCreationResult = PostexParcelCreationQueued | PostexParcelNotRetriableError

    extend type Query {
        "Parcels still to be created, labels to print and delivered COD orders not settled, in the active channel (ReadOrder)."
        postexParcelsNeedingAttention: PostexParcelsNeedingAttention!
    }

    extend type Mutation {
        "Queues the creation of a fulfillment's parcel again after its job failed (UpdateOrder)."
        retryPostexParcelCreation(fulfillmentId: ID!): RetryPostexParcelCreationResult!
        "A short-lived signed link to the label PDF of a fulfillment of an order in the active channel (ReadOrder)."
        createPostexLabelLink(fulfillmentId: ID!): PostexLabelLinkResult!
        "Syncs Postex's provinces and cities now (the scheduled task does it daily)."
        syncPostexPlaces: PostexSyncResult!
        "Polls the tracking of every open Postex fulfillment now (the scheduled task does it periodically)."
        pollPostexTracking: PostexTrackingPollResult!
    }

    extend type Fulfillment {
        "Path of the Postex label PDF when the parcel exists: GET with an administrator's bearer token (ReadOrder in the order's channel); browsers use createPostexLabelLink."
        postexLabelUrl: String
    }
`;
