package io.tribune.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The command codecs' tag ranges do not overlap: a tag is claimed by at most one area, so the
 * decoder's dispatch does not depend on which area it asks first, and each area's own tags lie in
 * its range.
 */
class CodecTagRangesTest {
    @Test
    void aclAndPreparedQueryRangesAreApart() {
        assertEquals(109, AclCodec.LAST, "tags 110..119 are the prepared queries'");
        for (int tag = 0; tag <= 255; tag++) {
            List<String> claims = new ArrayList<>();
            if (AclCodec.handles(tag)) {
                claims.add("ACL");
            }
            if (QueryCodec.handles(tag)) {
                claims.add("prepared query");
            }
            assertTrue(claims.size() <= 1, "tag " + tag + " is claimed by " + claims);
        }
    }

    @Test
    void everyAreaTagLiesInItsOwnRangeAndNoOtherCodecUsesIt() {
        for (int t : new int[] {AclCodec.POLICY_SET, AclCodec.POLICY_DELETE, AclCodec.TOKEN_SET,
                AclCodec.TOKEN_DELETE, AclCodec.BOOTSTRAP, AclCodec.INIT, AclCodec.REPLICATE_POLICIES,
                AclCodec.REPLICATE_TOKENS}) {
            assertTrue(AclCodec.handles(t) && !QueryCodec.handles(t), "ACL tag " + t);
        }
        for (int t : new int[] {QueryCodec.SET, QueryCodec.DELETE}) {
            assertTrue(QueryCodec.handles(t) && !AclCodec.handles(t), "prepared-query tag " + t);
        }
        for (int t : new int[] {Codec.KV_SET, Codec.KV_DELETE, Codec.KV_DELETE_TREE, Codec.KV_ACQUIRE,
                Codec.KV_RELEASE, Codec.KV_TXN, Codec.TOMBSTONE_REAP, Codec.RESTORE_BEGIN, Codec.RESTORE_CHUNK,
                Codec.RESTORE_COMMIT, Codec.DEDUP, CatalogCodec.REGISTER, CatalogCodec.DEREGISTER,
                CatalogCodec.SESSION_CREATE, CatalogCodec.SESSION_RENEW, CatalogCodec.SESSION_DESTROY,
                CatalogCodec.EVENT_FIRE, CatalogCodec.COORDINATE_UPDATE}) {
            assertTrue(!AclCodec.handles(t) && !QueryCodec.handles(t), "tag " + t + " is claimed by an area");
        }
    }
}
