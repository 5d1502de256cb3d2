import gql from 'graphql-tag';

export const shopApiExtensions = gql`
    "A Zibal payment started for the active order: send the shopper's browser to paymentUrl."
    type ZibalPaymentIntent {
        trackId: String!
        paymentUrl: String!
        "The amount requested: the order's totalWithTax (money units, Rial x 100; Zibal is sent whole Rials)."
        amount: Money!
    }

    "Zibal refused the request or could not be reached. resultCode is Zibal's result code when it answered."
    type ZibalGatewayError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        resultCode: Int
    }

    "The active order cannot be paid yet (no customer, address or shipping method, or a state that cannot pay)."
    type ZibalOrderNotReadyError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
    }

    "Zibal accepts amounts above 1,000 Rial only."
    type ZibalAmountTooSmallError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        "The smallest payable total, in money units (Rial x 100)."
        minimumAmount: Money!
    }

    union ZibalPaymentIntentResult =
        | ZibalPaymentIntent
        | ZibalGatewayError
        | ZibalOrderNotReadyError
        | ZibalAmountTooSmallError

    extend type Mutation {
        "Starts a Zibal payment for the active order (moving it to ArrangingPayment if needed)."
        createZibalPaymentIntent: ZibalPaymentIntentResult!
    }
`;

export const adminApiExtensions = gql`
    type ZibalAttemptEvent {
        at: DateTime!
        event: String!
        result: Int
        status: Int
        note: String
    }

    "One Zibal trackId of an order and what became of it."
    type ZibalPaymentAttempt {
        id: ID!
        createdAt: DateTime!
        updatedAt: DateTime!
        trackId: String!
        orderCode: String!
        amount: Money!
        """
        pending, verifying, settled, failed, expired, rejected (paid but not verified: Zibal returns the money) or
        refund-due (paid and verified, but not added to the order: staff must refund it)
        """
        state: String!
        zibalStatus: Int
        refNumber: String
        maskedCardNumber: String
        paidAt: String
        paymentId: ID
        history: [ZibalAttemptEvent!]!
    }

    type ZibalReconcileReport {
        checked: Int!
        settled: Int!
        failed: Int!
        expired: Int!
    }

    extend type Query {
        zibalPaymentAttempts(orderId: ID!): [ZibalPaymentAttempt!]!
    }

    extend type Mutation {
        "Inquires and settles or expires the attempts that are due now, in every channel (the scheduled task does the same). SuperAdmin only."
        reconcileZibalPayments: ZibalReconcileReport!
    }
`;
