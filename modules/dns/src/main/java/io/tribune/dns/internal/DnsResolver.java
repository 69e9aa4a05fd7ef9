package io.tribune.dns.internal;

import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.ServiceHealth;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Turns one DNS query packet into one answer packet: parses with dnsjava, answers names under the
 * domain from the state store, relays other names to the {@link Recursor}, and fits the answer
 * into the transport's size limit. Thread-safe; blocking only while a recursor is asked.
 *
 * <p>Names (Consul's): {@code <node>.node[.<dc>].<domain>}, {@code [<tag>.]<service>.service[.<dc>].<domain>},
 * RFC 2782 {@code _<service>._<tag>.service[.<dc>].<domain>} (tag {@code tcp} means any) and
 * {@code <hex-ip>.addr[.<dc>].<domain>} and {@code <query>.query[.<dc>].<domain>} (a prepared query by ID
 * or name, executed with its failover); a datacenter other than this agent's is read from that
 * datacenter's servers through the request layer (a server of this one forwards). Reverse lookups
 * ({@code PTR} under {@code in-addr.arpa} and {@code ip6.arpa}) name the nodes of this datacenter
 * with that address.
 */
public final class DnsResolver {
    /** Payload size without EDNS (RFC 1035 §4.2.1). */
    public static final int PLAIN_UDP_BYTES = 512;
    /** Largest UDP payload this server sends, whatever EDNS asks (RFC 6891 §6.2.5 advice). */
    public static final int MAX_UDP_BYTES = 4096;
    /** Largest TCP message: the two-byte length prefix (RFC 1035 §4.2.2). */
    public static final int MAX_TCP_BYTES = 65535;

    // SOA timers, Consul's defaults (dns_config.soa): refresh 1 h, retry 10 min, expire 1 day.
    private static final long SOA_REFRESH = 3600;
    private static final long SOA_RETRY = 600;
    private static final long SOA_EXPIRE = 86400;

    private static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
    private static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

    private final DnsSettings settings;
    private final String datacenter;
    private final DnsCatalog catalog;
    private final Recursor recursor;
    private final RandomGenerator random;
    private final LongSupplier wallMillis;
    private final Name domain;
    private final Name nsName;
    private final Name adminName;

    /**
     * A resolver reading {@code catalog}. A lookup the catalog cannot serve
     * ({@link DnsCatalog.UnavailableException}) answers SERVFAIL.
     *
     * @param settings   domain, TTLs, health filter
     * @param datacenter this agent's datacenter (names without a datacenter label are answered from it)
     * @param catalog    what lookups read
     * @param recursor   upstreams for other names
     * @param random     shuffles answers; must be thread-safe
     * @param wallMillis the wall clock, for the SOA serial
     */
    public DnsResolver(DnsSettings settings, String datacenter, DnsCatalog catalog,
                       Recursor recursor, RandomGenerator random, LongSupplier wallMillis) {
        this.settings = settings;
        this.datacenter = datacenter.toLowerCase(Locale.ROOT);
        this.catalog = catalog;
        this.recursor = recursor;
        this.random = random;
        this.wallMillis = wallMillis;
        try {
            this.domain = Name.fromString(settings.domain() + ".");
            this.nsName = Name.fromString("ns." + settings.domain() + ".");
            this.adminName = Name.fromString("hostmaster." + settings.domain() + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad dns domain " + settings.domain(), e);
        }
    }

    /**
     * Answers one packet.
     *
     * @param packet the query as received (not retained)
     * @param tcp    whether it came over TCP (no UDP size limit)
     * @return the answer's wire form, or empty to send nothing (the packet is not a query or too
     *         short to carry an ID)
     */
    public Optional<byte[]> handle(byte[] packet, boolean tcp) {
        Message query;
        try {
            query = new Message(packet);
        } catch (IOException | RuntimeException e) {
            return formErr(packet);
        }
        Header qh = query.getHeader();
        if (qh.getFlag(Flags.QR)) {
            return Optional.empty(); // a response sent to us: answering could start a loop
        }
        OPTRecord clientOpt = query.getOPT();
        int limit = tcp ? MAX_TCP_BYTES
                : clientOpt == null ? PLAIN_UDP_BYTES
                : Math.min(MAX_UDP_BYTES, Math.max(PLAIN_UDP_BYTES, clientOpt.getPayloadSize()));
        Message resp = newResponse(query);
        if (qh.getOpcode() != Opcode.QUERY) {
            resp.getHeader().setRcode(Rcode.NOTIMP);
            return Optional.of(fit(resp, limit));
        }
        if (query.getSection(Section.QUESTION).size() != 1 || qh.getCount(Section.ANSWER) != 0) {
            resp.getHeader().setRcode(Rcode.FORMERR);
            return Optional.of(fit(resp, limit));
        }
        Record question = query.getQuestion();
        Name qname = question.getName();
        if (qname.subdomain(IN_ADDR_ARPA) || qname.subdomain(IP6_ARPA)) {
            Optional<byte[]> answered = reverse(query, question, resp, tcp, limit);
            if (answered.isPresent()) {
                return answered;
            }
        }
        if (!qname.subdomain(domain)) {
            if (!recursor.enabled()) {
                resp.getHeader().setRcode(Rcode.REFUSED);
                return Optional.of(fit(resp, limit));
            }
            Optional<Message> relayed = recursor.forward(query, tcp);
            if (relayed.isEmpty()) {
                resp.getHeader().setRcode(Rcode.SERVFAIL);
                return Optional.of(fit(resp, limit));
            }
            // dnsjava drops whole RRsets and sets TC when the relayed answer is too long for UDP.
            return Optional.of(relayed.get().toWire(limit));
        }
        resp.getHeader().setFlag(Flags.AA);
        if (question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY) {
            resp.getHeader().setRcode(Rcode.NOTIMP);
            return Optional.of(fit(resp, limit));
        }
        answerLocal(qname, question.getType(), resp);
        return Optional.of(fit(resp, limit));
    }

    private Message newResponse(Message query) {
        Message resp = new Message(query.getHeader().getID());
        Header h = resp.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        if (recursor.enabled()) {
            h.setFlag(Flags.RA);
        }
        Record q = query.getQuestion();
        if (q != null) {
            resp.addRecord(q, Section.QUESTION);
        }
        if (query.getOPT() != null) {
            // RFC 6891 §7: answer EDNS with EDNS, advertising our own payload size.
            resp.addRecord(new OPTRecord(MAX_UDP_BYTES, 0, 0), Section.ADDITIONAL);
        }
        return resp;
    }

    /** FORMERR with the query's ID when at least a header arrived; nothing otherwise. */
    private static Optional<byte[]> formErr(byte[] packet) {
        if (packet.length < Header.LENGTH) {
            return Optional.empty();
        }
        if ((packet[2] & 0x80) != 0) {
            return Optional.empty(); // the QR bit: not a query
        }
        int id = ((packet[0] & 0xff) << 8) | (packet[1] & 0xff);
        Message resp = new Message(id);
        resp.getHeader().setFlag(Flags.QR);
        resp.getHeader().setRcode(Rcode.FORMERR);
        return Optional.of(resp.toWire());
    }

    // ------------------------------------------------------------------ reverse lookups

    /**
     * A PTR query under {@code in-addr.arpa} or {@code ip6.arpa} (RFC 1035 §3.5, RFC 3596 §2.5), as
     * Consul answers it: the nodes of this datacenter's catalog whose address is the one asked, each
     * as {@code <node>.node.<dc>.<domain>}. Empty when no node has that address (or the name is not a
     * whole address, or the type is not PTR/ANY), so the caller relays the query to the recursor or
     * refuses it as for any other outside name; an unreadable catalog answers SERVFAIL.
     */
    private Optional<byte[]> reverse(Message query, Record question, Message resp, boolean tcp, int limit) {
        int qtype = question.getType();
        Optional<byte[]> ip = reverseAddress(question.getName());
        if (ip.isEmpty() || (qtype != Type.PTR && qtype != Type.ANY)) {
            return Optional.empty();
        }
        List<Name> targets = new ArrayList<>();
        try {
            for (Node n : catalog.nodes("")) {
                byte[] a = ipBytes(n.address());
                if (a != null && java.util.Arrays.equals(a, ip.get())) {
                    targets.add(Name.fromString(n.node() + ".node." + datacenter + "." + settings.domain() + "."));
                }
            }
        } catch (DnsCatalog.UnavailableException e) {
            resp.getHeader().setRcode(Rcode.SERVFAIL);
            return Optional.of(fit(resp, limit));
        } catch (TextParseException e) {
            targets.clear(); // a node name that is no DNS name has no PTR
        }
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        resp.getHeader().setFlag(Flags.AA);
        long ttl = settings.nodeTtl().toSeconds();
        for (Name t : targets) {
            resp.addRecord(new PTRRecord(question.getName(), DClass.IN, ttl, t), Section.ANSWER);
        }
        return Optional.of(fit(resp, limit));
    }

    /**
     * The address a reverse name stands for: four decimal labels (lowest octet first) before
     * {@code in-addr.arpa}, or 32 hex nibbles (lowest first) before {@code ip6.arpa}; empty for
     * anything else (a partial name is a zone, not an address).
     */
    static Optional<byte[]> reverseAddress(Name name) {
        boolean v4 = name.subdomain(IN_ADDR_ARPA);
        int parts = name.labels() - (v4 ? IN_ADDR_ARPA : IP6_ARPA).labels();
        if (parts != (v4 ? 4 : 32)) {
            return Optional.empty();
        }
        byte[] out = new byte[v4 ? 4 : 16];
        for (int i = 0; i < parts; i++) {
            String label = name.getLabelString(i);
            if (v4) {
                if (!label.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(label) > 255) {
                    return Optional.empty();
                }
                out[3 - i] = (byte) Integer.parseInt(label);
            } else {
                int d = label.length() == 1 ? Character.digit(label.charAt(0), 16) : -1;
                if (d < 0) {
                    return Optional.empty();
                }
                int byteIndex = 15 - i / 2;
                out[byteIndex] |= (byte) (i % 2 == 0 ? d : d << 4);
            }
        }
        return Optional.of(out);
    }

    // ------------------------------------------------------------------ local names

    private void answerLocal(Name qname, int qtype, Message resp) {
        int rel = qname.labels() - domain.labels();
        List<String> labels = new ArrayList<>(rel);
        for (int i = 0; i < rel; i++) {
            labels.add(qname.getLabelString(i));
        }
        if (labels.isEmpty()) {
            apex(qname, qtype, resp);
            return;
        }
        int n = labels.size();
        String kind;
        List<String> prefix;
        // "" is this agent's datacenter; another one is asked through the request layer (?dc=).
        String dc = "";
        String last = lower(labels.get(n - 1));
        if (isKind(last)) {
            kind = last;
            prefix = labels.subList(0, n - 1);
        } else if (n >= 2 && isKind(lower(labels.get(n - 2)))) {
            if (!last.equals(datacenter)) {
                if (!DATACENTER_LABEL.matcher(last).matches()) {
                    nxdomain(resp); // no datacenter can have that name
                    return;
                }
                dc = last;
            }
            kind = lower(labels.get(n - 2));
            prefix = labels.subList(0, n - 2);
        } else {
            nxdomain(resp);
            return;
        }
        try {
            switch (kind) {
                case "node" -> nodeLookup(qname, qtype, prefix, dc, resp);
                case "service" -> serviceLookup(qname, qtype, prefix, dc, resp);
                case "query" -> queryLookup(qname, qtype, prefix, dc, resp);
                default -> addrLookup(qname, qtype, prefix, resp);
            }
        } catch (DnsCatalog.NoPathException e) {
            // No server of that datacenter is known or answered: the name does not exist from here.
            resp.removeAllRecords(Section.ANSWER);
            resp.removeAllRecords(Section.AUTHORITY);
            resp.removeAllRecords(Section.ADDITIONAL);
            nxdomain(resp);
        } catch (DnsCatalog.UnavailableException e) {
            // No store here and no server reachable: a resolver should retry elsewhere (RFC 1035 §4.1.1).
            resp.removeAllRecords(Section.ANSWER);
            resp.removeAllRecords(Section.AUTHORITY);
            resp.removeAllRecords(Section.ADDITIONAL);
            resp.getHeader().setRcode(Rcode.SERVFAIL);
        }
    }

    /** What a datacenter name may look like (the agent's configuration rule). */
    private static final java.util.regex.Pattern DATACENTER_LABEL = java.util.regex.Pattern.compile(
            "[a-z0-9][a-z0-9_-]{0,63}");

    private static boolean isKind(String label) {
        return label.equals("node") || label.equals("service") || label.equals("addr") || label.equals("query");
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private void apex(Name qname, int qtype, Message resp) {
        if (qtype == Type.SOA || qtype == Type.ANY) {
            resp.addRecord(soa(), Section.ANSWER);
        }
        if (qtype == Type.NS || qtype == Type.ANY) {
            resp.addRecord(new NSRecord(qname, DClass.IN, 0, nsName), Section.ANSWER);
        }
        if (resp.getSection(Section.ANSWER).isEmpty()) {
            resp.addRecord(soa(), Section.AUTHORITY);
        }
    }

    private void nodeLookup(Name qname, int qtype, List<String> prefix, String dc, Message resp) {
        if (prefix.size() != 1) {
            nxdomain(resp);
            return;
        }
        Optional<Node> node = findNode(prefix.get(0), dc);
        if (node.isEmpty()) {
            nxdomain(resp);
            return;
        }
        long ttl = settings.nodeTtl().toSeconds();
        for (Record r : addressRecords(qname, qtype, node.get().address(), ttl)) {
            resp.addRecord(r, Section.ANSWER);
        }
        if (resp.getSection(Section.ANSWER).isEmpty()) {
            resp.addRecord(soa(), Section.AUTHORITY); // NODATA (RFC 2308 §2.2)
        }
    }

    private Optional<Node> findNode(String label, String dc) {
        Optional<Node> n = catalog.node(label, dc);
        if (n.isEmpty() && !label.equals(lower(label))) {
            n = catalog.node(lower(label), dc);
        }
        return n;
    }

    private void serviceLookup(Name qname, int qtype, List<String> prefix, String dc, Message resp) {
        String service;
        String tag = null;
        if (prefix.size() == 1) {
            service = prefix.get(0);
        } else if (prefix.size() == 2 && prefix.get(0).startsWith("_") && prefix.get(1).startsWith("_")) {
            // RFC 2782: _service._proto; Consul reads the protocol label as a tag, "tcp" as none.
            service = prefix.get(0).substring(1);
            String proto = prefix.get(1).substring(1);
            tag = lower(proto).equals("tcp") ? null : proto;
        } else if (prefix.size() == 2) {
            tag = prefix.get(0);
            service = prefix.get(1);
        } else {
            nxdomain(resp);
            return;
        }
        if (service.isEmpty() || (tag != null && tag.isEmpty())) {
            nxdomain(resp);
            return;
        }
        List<ServiceHealth> found = healthy(service, tag, dc);
        if (found.isEmpty() && !service.equals(lower(service))) {
            found = healthy(lower(service), tag, dc);
        }
        if (found.isEmpty()) {
            nxdomain(resp);
            return;
        }
        shuffle(found);
        instancesAnswer(found, qname, qtype, settings.serviceTtl().toSeconds(), dc.isEmpty() ? datacenter : dc, resp);
    }

    /**
     * Answers {@code found} in their order: SRV records (targets in datacenter {@code dc}) for an
     * SRV question, else the address records of each (duplicates once); NODATA when none fits.
     */
    private void instancesAnswer(List<ServiceHealth> found, Name qname, int qtype, long ttl, String dc, Message resp) {
        if (qtype == Type.SRV) {
            srvAnswer(found, qname, ttl, dc, resp);
        } else {
            Set<Record> seen = new LinkedHashSet<>();
            for (ServiceHealth h : found) {
                seen.addAll(addressRecords(qname, qtype, effectiveAddress(h), ttl));
            }
            for (Record r : seen) {
                resp.addRecord(r, Section.ANSWER);
            }
        }
        if (resp.getSection(Section.ANSWER).isEmpty()) {
            resp.addRecord(soa(), Section.AUTHORITY);
        }
    }

    /**
     * {@code <query>.query[.<dc>].<domain>}: executes the prepared query (ID or name, a name may
     * span labels) with its filters and failover, and answers its instances as a service lookup
     * does (A/AAAA, or SRV naming the datacenter that answered), in the order the query gave, with
     * the query's {@code DNS.TTL} when it sets one, else {@code service_ttl}. No such query, or no
     * instance anywhere: NXDOMAIN.
     */
    private void queryLookup(Name qname, int qtype, List<String> prefix, String dc, Message resp) {
        if (prefix.isEmpty()) {
            nxdomain(resp);
            return;
        }
        Optional<DnsCatalog.QueryAnswer> answer = catalog.preparedQuery(String.join(".", prefix), dc);
        if (answer.isEmpty() || answer.get().nodes().isEmpty()) {
            nxdomain(resp);
            return;
        }
        String from = answer.get().datacenter();
        instancesAnswer(answer.get().nodes(), qname, qtype, answer.get().ttl().orElse(settings.serviceTtl()).toSeconds(),
                from.isEmpty() ? datacenter : from, resp);
    }

    private List<ServiceHealth> healthy(String service, String tag, String dc) {
        // Stale read (Consul's allow_stale default): whatever the answering server has applied.
        List<ServiceHealth> all = catalog.serviceHealth(service, tag, dc);
        List<ServiceHealth> out = new ArrayList<>(all.size());
        for (ServiceHealth h : all) {
            HealthStatus s = h.aggregateStatus();
            // Consul's only_passing=false: drop critical, keep warning; true: passing only.
            if (s == HealthStatus.PASSING || (s == HealthStatus.WARNING && !settings.onlyPassing())) {
                out.add(h);
            }
        }
        return out;
    }

    private void srvAnswer(List<ServiceHealth> found, Name qname, long ttl, String dc, Message resp) {
        Set<Record> extra = new LinkedHashSet<>();
        for (ServiceHealth h : found) {
            NodeService svc = h.service();
            String addr = effectiveAddress(h);
            Optional<Name> target = srvTarget(h, addr, dc);
            if (target.isEmpty()) {
                continue;
            }
            int weight = h.aggregateStatus() == HealthStatus.WARNING ? svc.weights().warning() : svc.weights().passing();
            // Priority 1 for every instance; weight from Weights, clamped to the 16-bit field.
            resp.addRecord(new SRVRecord(qname, DClass.IN, ttl, 1, Math.max(0, Math.min(65535, weight)),
                    Math.max(0, Math.min(65535, svc.port())), target.get()), Section.ANSWER);
            extra.addAll(addressRecords(target.get(), Type.ANY, addr, ttl));
        }
        for (Record r : extra) {
            resp.addRecord(r, Section.ADDITIONAL);
        }
    }

    /**
     * The SRV target: the node's name when the instance uses the node's address, else
     * {@code <hex-ip>.addr.<dc>.<domain>} so that the target resolves to the instance's own
     * address; a host name is its own target.
     */
    private Optional<Name> srvTarget(ServiceHealth h, String addr, String dc) {
        try {
            if (h.service().address().isEmpty() || addr.equals(h.node().address())) {
                return Optional.of(Name.fromString(h.node().node() + ".node." + dc + "." + settings.domain() + "."));
            }
            byte[] ip = ipBytes(addr);
            if (ip != null) {
                return Optional.of(Name.fromString(HexFormat.of().formatHex(ip) + ".addr." + dc + "."
                        + settings.domain() + "."));
            }
            return Optional.of(Name.fromString(addr.endsWith(".") ? addr : addr + "."));
        } catch (TextParseException e) {
            return Optional.empty(); // a name that is not a valid DNS name cannot be a target
        }
    }

    private static String effectiveAddress(ServiceHealth h) {
        String a = h.service().address();
        return a.isEmpty() ? h.node().address() : a;
    }

    private void addrLookup(Name qname, int qtype, List<String> prefix, Message resp) {
        byte[] ip = null;
        if (prefix.size() == 1 && (prefix.get(0).length() == 8 || prefix.get(0).length() == 32)) {
            try {
                ip = HexFormat.of().parseHex(prefix.get(0));
            } catch (IllegalArgumentException e) {
                ip = null;
            }
        }
        if (ip == null) {
            nxdomain(resp);
            return;
        }
        try {
            for (Record r : addressRecords(qname, qtype, InetAddress.getByAddress(ip).getHostAddress(),
                    settings.serviceTtl().toSeconds())) {
                resp.addRecord(r, Section.ANSWER);
            }
        } catch (UnknownHostException e) {
            nxdomain(resp);
            return;
        }
        if (resp.getSection(Section.ANSWER).isEmpty()) {
            resp.addRecord(soa(), Section.AUTHORITY);
        }
    }

    /**
     * The records for {@code address} that answer {@code qtype}: A for IPv4, AAAA for IPv6, a
     * CNAME for a host name (never resolved here). Nothing for other types.
     */
    private static List<Record> addressRecords(Name owner, int qtype, String address, long ttl) {
        boolean a = qtype == Type.A || qtype == Type.ANY;
        boolean aaaa = qtype == Type.AAAA || qtype == Type.ANY;
        if (!a && !aaaa || address.isEmpty()) {
            return List.of();
        }
        try {
            byte[] v4 = Address.toByteArray(address, Address.IPv4);
            if (v4 != null) {
                return a ? List.of(new ARecord(owner, DClass.IN, ttl, InetAddress.getByAddress(v4))) : List.of();
            }
            byte[] v6 = Address.toByteArray(address, Address.IPv6);
            if (v6 != null) {
                return aaaa ? List.of(new AAAARecord(owner, DClass.IN, ttl, InetAddress.getByAddress(v6))) : List.of();
            }
            Name target = Name.fromString(address.endsWith(".") ? address : address + ".");
            return List.of(new CNAMERecord(owner, DClass.IN, ttl, target));
        } catch (UnknownHostException | TextParseException e) {
            return List.of();
        }
    }

    private static byte[] ipBytes(String address) {
        byte[] v4 = Address.toByteArray(address, Address.IPv4);
        return v4 != null ? v4 : Address.toByteArray(address, Address.IPv6);
    }

    private void shuffle(List<ServiceHealth> list) {
        // Fisher-Yates, so every order is equally likely and load spreads over instances.
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            ServiceHealth t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    private void nxdomain(Message resp) {
        resp.getHeader().setRcode(Rcode.NXDOMAIN);
        // RFC 2308 §3: the SOA in the authority section lets resolvers cache the negative answer.
        resp.addRecord(soa(), Section.AUTHORITY);
    }

    private SOARecord soa() {
        long serial = (wallMillis.getAsLong() / 1000) & 0xffffffffL;
        // The SOA's own TTL and minimum both follow node_ttl-like negative caching: 0 by default.
        long minTtl = settings.nodeTtl().toSeconds();
        return new SOARecord(domain, DClass.IN, minTtl, nsName, adminName, serial, SOA_REFRESH, SOA_RETRY,
                SOA_EXPIRE, minTtl);
    }

    // ------------------------------------------------------------------ size

    /**
     * The wire form within {@code limit} bytes. Additional records go first (they are optional,
     * RFC 2181 §9, so no TC bit); then answers are cut to the longest prefix that fits and TC is set
     * so the client retries over TCP (RFC 1035 §4.2.1, RFC 7766). Edits {@code resp} in place.
     */
    static byte[] fit(Message resp, int limit) {
        byte[] wire = resp.toWire();
        if (wire.length <= limit) {
            return wire;
        }
        OPTRecord opt = resp.getOPT();
        resp.removeAllRecords(Section.ADDITIONAL);
        if (opt != null) {
            resp.addRecord(opt, Section.ADDITIONAL);
        }
        wire = resp.toWire();
        if (wire.length <= limit) {
            return wire;
        }
        List<Record> answers = new ArrayList<>(resp.getSection(Section.ANSWER));
        List<Record> authority = new ArrayList<>(resp.getSection(Section.AUTHORITY));
        resp.removeAllRecords(Section.AUTHORITY);
        resp.getHeader().setFlag(Flags.TC);
        int lo = 0;
        int hi = answers.size();
        byte[] best = null;
        // Binary search on the number of answers kept: wire length grows with it.
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            resp.removeAllRecords(Section.ANSWER);
            for (int i = 0; i < mid; i++) {
                resp.addRecord(answers.get(i), Section.ANSWER);
            }
            byte[] w = resp.toWire();
            if (w.length <= limit) {
                best = w;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best == null) {
            // Not even the header and question fit (a huge question over 512 bytes cannot happen
            // for a parsed query, but be safe): dnsjava's own truncation.
            resp.removeAllRecords(Section.ANSWER);
            for (Record r : authority) {
                resp.addRecord(r, Section.AUTHORITY);
            }
            return resp.toWire(limit);
        }
        return best;
    }
}
