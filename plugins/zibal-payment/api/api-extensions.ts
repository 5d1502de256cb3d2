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
        orderId: ID!
        orderCode: String!
        amount: Money!
        """
        pending, verifying, settled, failed, expired, rejected (paid but not verified: Zibal returns the money),
        refund-due (paid and verified, but not added to the order: staff must refund it) or refunded (refund-due
        until staff paid it back by hand and recorded it with markZibalAttemptRefunded)
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

    "A Zibal refund still Pending: recorded for a manual refund (no platform token), or Zibal gave no clear answer."
    type ZibalPendingRefund {
        "The Refund's id (settle it with settleRefund once the money is back with the payer)."
        id: ID!
        createdAt: DateTime!
        orderId: ID!
        orderCode: String!
        paymentId: ID!
        total: Money!
        trackId: String
        "Zibal gave no clear answer: the refund may have been made. Check the Zibal panel before paying it again."
        uncertain: Boolean!
        reason: String
        note: String
    }

    "The Zibal payments of the active channel staff must look at (each list oldest first, at most 200)."
    type ZibalPaymentsNeedingAttention {
        "Paid and verified at Zibal but not on the order: pay the money back, then markZibalAttemptRefunded."
        refundDue: [ZibalPaymentAttempt!]!
        "Attempts the next reconciliation will inquire (pending past reconcileAfterMs, or held by a stopped process)."
        awaitingReconciliation: [ZibalPaymentAttempt!]!
        pendingRefunds: [ZibalPendingRefund!]!
    }

    "markZibalAttemptRefunded on an attempt that is not refund-due (or not in this channel)."
    type ZibalAttemptNotRefundDueError implements ErrorResult {
        errorCode: ErrorCode!
        message: String!
        "The attempt's state; null when there is no such attempt in this channel."
        attemptState: String
    }

    union MarkZibalAttemptRefundedResult = ZibalPaymentAttempt | ZibalAttemptNotRefundDueError

    extend type Query {
        zibalPaymentAttempts(orderId: ID!): [ZibalPaymentAttempt!]!
        "Refund-due attempts, attempts awaiting reconciliation and Pending Zibal refunds of the active channel (ReadOrder)."
        zibalPaymentsNeedingAttention: ZibalPaymentsNeedingAttention!
    }

    extend type Mutation {
        "Records that staff paid a refund-due attempt's money back by hand; it becomes refunded (UpdateOrder)."
        markZibalAttemptRefunded(attemptId: ID!, note: String): MarkZibalAttemptRefundedResult!
        "Inquires and settles or expires the attempts that are due now, in every channel (the scheduled task does the same). SuperAdmin only."
        reconcileZibalPayments: ZibalReconcileReport!
    }
`;
