// py/mphal.h includes the port's mphalport.h; a natmod has no port: the
// calls it uses are macros in rq_natmod.h.
