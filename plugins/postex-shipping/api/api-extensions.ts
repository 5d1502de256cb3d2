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

    extend type Mutation {
        "Syncs Postex's provinces and cities now (the scheduled task does it daily)."
        syncPostexPlaces: PostexSyncResult!
        "Polls the tracking of every open Postex fulfillment now (the scheduled task does it periodically)."
        pollPostexTracking: PostexTrackingPollResult!
    }

    extend type Fulfillment {
        "Link to the Postex label PDF (GET, needs an administrator session), when the parcel exists."
        postexLabelUrl: String
    }
`;
