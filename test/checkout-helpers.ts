// The checkout steps live in src/testing so benchmarks (compiled to dist/) can use them too.
export * from '../src/testing/checkout-helpers';
