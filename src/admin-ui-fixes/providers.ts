import { VariantPriceDetailComponent } from '@vendure/admin-ui/catalog';
import { combineLatest, map, Observable, shareReplay, Subject, takeUntil } from 'rxjs';

/**
 * The product variant page read «شامل null% مالیات» ("Includes tax at null%") in every shop whose channel has
 * `pricesIncludeTax: true`. Cause, in @vendure/admin-ui 3.7.3 (VariantPriceDetailComponent): its template shows
 * one of two branches by `priceIncludesTax`, an input that is null until the channel query answers and then
 * true. The first branch subscribes `taxRate$`; when it is torn down, `QueryResult.stream$` runs its `finalize`,
 * which completes the query's shared subject, so the second branch's subscription gets no value ever: the
 * `async` pipe stays null. (Shops with prices without tax never switch branches, so stock demos do not show it.)
 *
 * The fix keeps one subscription per component: `taxRate$` is shared (and replayed) until the component is
 * destroyed, so switching branches no longer tears down the queries. Browser test: the variant page reads 10%.
 */
interface PriceDetail {
    taxRate$: Observable<number>;
    grossPrice$: Observable<number>;
    priceChange$: Observable<number>;
    ngOnInit(): void;
    ngOnDestroy?(): void;
}

const destroyed = new WeakMap<object, Subject<void>>();
const prototype = VariantPriceDetailComponent.prototype as unknown as PriceDetail;
const originalOnInit = prototype.ngOnInit;

prototype.ngOnInit = function (this: PriceDetail) {
    originalOnInit.call(this);
    const destroy$ = new Subject<void>();
    destroyed.set(this, destroy$);
    this.taxRate$ = this.taxRate$.pipe(takeUntil(destroy$), shareReplay({ bufferSize: 1, refCount: false }));
    this.grossPrice$ = combineLatest([this.taxRate$, this.priceChange$]).pipe(
        map(([taxRate, price]) => Math.round(price * ((100 + taxRate) / 100))),
    );
};

prototype.ngOnDestroy = function (this: PriceDetail) {
    destroyed.get(this)?.next();
    destroyed.delete(this);
};

export default [];
