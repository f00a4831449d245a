/*
 * no_entry_plugin.c - a shared object without bograph_plugin_entry: the
 * loader must say so.
 */
__attribute__((visibility("default"))) int not_a_plugin(void);

int not_a_plugin(void)
{
    return 42;
}
