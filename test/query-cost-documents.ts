/**
 * Realistic heavy GraphQL documents whose query cost (HardenPlugin's estimate) sets GRAPHQL_MAX_QUERY_COST:
 * the official Remix storefront starter's (vendure-ecommerce/storefront-remix-starter: root collections, collection,
 * product, faceted search, active order with its OrderDetail fragment, account order history), the support chat
 * widget's, and the Admin UI's product list and order detail (not limited: HardenPlugin skips the Admin API).
 */

const LISTED_PRODUCT = `
fragment ListedProduct on SearchResult {
    productId productName slug
    productAsset { id preview }
    currencyCode
    priceWithTax { ... on PriceRange { min max } ... on SinglePrice { value } }
}`;

const ORDER_DETAIL = `
fragment OrderDetail on Order {
    __typename id code active createdAt state currencyCode couponCodes totalQuantity
    subTotal subTotalWithTax
    taxSummary { description taxRate taxTotal }
    shippingWithTax totalWithTax
    customer { id firstName lastName emailAddress }
    shippingAddress { fullName streetLine1 streetLine2 company city province postalCode countryCode phoneNumber }
    shippingLines { shippingMethod { id name } priceWithTax }
    discounts { type description amountWithTax }
    lines {
        id unitPriceWithTax linePriceWithTax quantity
        featuredAsset { id preview }
        productVariant { id name price product { id slug } }
    }
    payments { id state method amount metadata }
}`;

export const SHOP_DOCUMENTS: Record<string, string> = {
    'starter: collections (root loader, take 20)': `query collections {
        collections(options: { take: 20 }) { items { id name slug parent { name } featuredAsset { id preview } } }
    }`,
    'starter: collection': `query collection($slug: String) {
        collection(slug: $slug) {
            id name slug
            breadcrumbs { id name slug }
            children { id name slug featuredAsset { id preview } }
        }
    }`,
    'starter: product': `query product($slug: String) {
        product(slug: $slug) {
            id name description
            collections { id slug name breadcrumbs { id name slug } }
            facetValues { facet { id code name } id code name }
            featuredAsset { id preview }
            assets { id preview }
            variants { id name priceWithTax currencyCode sku stockLevel featuredAsset { id preview } }
        }
    }`,
    'starter: search with facets': `query search($input: SearchInput!) {
        search(input: $input) {
            totalItems
            items { ...ListedProduct }
            facetValues { count facetValue { id name facet { id name } } }
        }
    }
    ${LISTED_PRODUCT}`,
    'starter: activeOrder (OrderDetail)': `query activeOrder { activeOrder { ...OrderDetail } } ${ORDER_DETAIL}`,
    'starter: addItemToOrder (OrderDetail)': `mutation addItemToOrder($productVariantId: ID!, $quantity: Int!) {
        addItemToOrder(productVariantId: $productVariantId, quantity: $quantity) {
            ...OrderDetail
            ... on ErrorResult { errorCode message }
        }
    }
    ${ORDER_DETAIL}`,
    'starter: account order history (take 10)': `query activeCustomerOrderList {
        activeCustomer {
            orders(options: { take: 10, skip: 0, sort: { createdAt: DESC } }) {
                totalItems
                items {
                    code state orderPlacedAt currencyCode subTotal subTotalWithTax total totalWithTax
                    shippingWithTax
                    shippingLines { priceWithTax }
                    taxSummary { taxBase taxTotal }
                    discounts { amountWithTax }
                    fulfillments { trackingCode }
                    lines {
                        quantity discountedLinePriceWithTax discountedUnitPriceWithTax
                        fulfillmentLines { quantity fulfillment { state updatedAt } }
                        featuredAsset { name source preview }
                        productVariant { name sku currencyCode priceWithTax product { slug } }
                    }
                }
            }
        }
    }`,
    'starter: checkout (shipping and payment methods)': `query checkout {
        eligibleShippingMethods { id name description metadata price priceWithTax }
        eligiblePaymentMethods { id code name description eligibilityMessage isEligible }
        availableCountries { id name code }
    }`,
    'support chat widget: session': `query SupportChatSession { supportConversations { id } }`,
};

export const ADMIN_DOCUMENTS: Record<string, string> = {
    'Admin UI: product list (take 10)': `query ProductList($options: ProductListOptions) {
        products(options: $options) {
            items {
                id createdAt updatedAt enabled languageCode name slug
                featuredAsset { id createdAt updatedAt preview focalPoint { x y } }
                variantList { totalItems }
                channels { id code }
            }
            totalItems
        }
    }`,
    'Admin UI: order detail': `query GetOrder($id: ID!) {
        order(id: $id) {
            id createdAt updatedAt type code state nextStates active currencyCode couponCodes
            customer { id firstName lastName }
            lines {
                id createdAt updatedAt
                featuredAsset { id preview }
                productVariant { id name sku trackInventory stockOnHand }
                discounts { adjustmentSource amount amountWithTax description type }
                fulfillmentLines { fulfillmentId quantity }
                unitPrice unitPriceWithTax proratedUnitPrice proratedUnitPriceWithTax quantity
                orderPlacedQuantity linePrice lineTax linePriceWithTax discountedLinePrice discountedLinePriceWithTax
            }
            surcharges { id sku description price priceWithTax taxRate }
            discounts { adjustmentSource amount amountWithTax description type }
            promotions { id couponCode }
            subTotal subTotalWithTax total totalWithTax totalQuantity
            taxSummary { description taxBase taxRate taxTotal }
            shipping shippingWithTax
            shippingLines { id discountedPriceWithTax shippingMethod { id code name fulfillmentHandlerCode description } }
            shippingAddress { fullName company streetLine1 streetLine2 city province postalCode country countryCode phoneNumber }
            billingAddress { fullName company streetLine1 streetLine2 city province postalCode country countryCode phoneNumber }
            payments {
                id createdAt transactionId amount method state nextStates errorMessage metadata
                refunds { id createdAt state items adjustment total paymentId reason transactionId method metadata
                    lines { orderLineId quantity } }
            }
            fulfillments { id state nextStates createdAt updatedAt method lines { orderLineId quantity } trackingCode }
            modifications { id createdAt isSettled priceChange note payment { id amount }
                lines { orderLineId quantity } refund { id paymentId total } surcharges { id } }
            sellerOrders { id code }
            channels { id code }
        }
    }`,
};
