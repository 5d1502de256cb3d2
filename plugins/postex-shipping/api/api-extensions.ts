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

    extend type Mutation {
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
