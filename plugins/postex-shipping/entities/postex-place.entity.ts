import { DeepPartial, VendureEntity } from '@vendure/core';
import { Column, Entity, Index } from 'typeorm';

/** A Postex province as synced from `/locality/provinces`. */
@Entity()
export class PostexProvince extends VendureEntity {
    constructor(input?: DeepPartial<PostexProvince>) {
        super(input);
    }

    @Index({ unique: true })
    @Column('int')
    code: number;

    @Column()
    name: string;

    /** `name` after Persian normalisation (ی/ک, digits, spaces), for matching typed addresses. */
    @Index()
    @Column()
    normalizedName: string;
}

/** A Postex city as synced from `/locality/cities/all`. */
@Entity()
export class PostexCity extends VendureEntity {
    constructor(input?: DeepPartial<PostexCity>) {
        super(input);
    }

    @Index({ unique: true })
    @Column('int')
    code: number;

    @Column()
    name: string;

    @Index()
    @Column()
    normalizedName: string;

    @Index()
    @Column('int')
    provinceCode: number;
}
