import { gql } from 'apollo-angular';

export interface ZibalAttempt {
    id: string;
    createdAt: string;
    trackId: string;
    orderId: string;
    orderCode: string;
    amount: number;
    state: string;
    zibalStatus: number | null;
    refNumber: string | null;
    maskedCardNumber: string | null;
    history: Array<{ at: string; event: string; note: string | null }>;
}

export const ZIBAL_ATTEMPT_FIELDS = gql`
    fragment ZibalAttemptFields on ZibalPaymentAttempt {
        id
        createdAt
        trackId
        orderId
        orderCode
        amount
        state
        zibalStatus
        refNumber
        maskedCardNumber
        history {
            at
            event
            note
        }
    }
`;
