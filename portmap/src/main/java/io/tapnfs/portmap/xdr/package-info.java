/**
 * The rpcbind XDR types of RFC 1833 as immutable values, with RFC names ({@code rpcb},
 * {@code mapping}, {@code netbuf}, {@code rpcb_entry}, {@code rpcb_stat}, ...), each with a static
 * bounded {@code decode} and an {@code encode}; {@link io.tapnfs.portmap.xdr.XdrArgs} and
 * {@link io.tapnfs.portmap.xdr.XdrReply} adapt them to oncrpc4j's
 * {@link org.dcache.oncrpc4j.xdr.XdrAble}.
 */
package io.tapnfs.portmap.xdr;
